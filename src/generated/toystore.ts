import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BuyRequest as _toystore_v1_BuyRequest, BuyRequest__Output as _toystore_v1_BuyRequest__Output } from './toystore/v1/BuyRequest.js';
import type { BuyResponse as _toystore_v1_BuyResponse, BuyResponse__Output as _toystore_v1_BuyResponse__Output } from './toystore/v1/BuyResponse.js';
import type { GetOrderRequest as _toystore_v1_GetOrderRequest, GetOrderRequest__Output as _toystore_v1_GetOrderRequest__Output } from './toystore/v1/GetOrderRequest.js';
import type { GetOrderResponse as _toystore_v1_GetOrderResponse, GetOrderResponse__Output as _toystore_v1_GetOrderResponse__Output } from './toystore/v1/GetOrderResponse.js';
import type { ListToysRequest as _toystore_v1_ListToysRequest, ListToysRequest__Output as _toystore_v1_ListToysRequest__Output } from './toystore/v1/ListToysRequest.js';
import type { ListToysResponse as _toystore_v1_ListToysResponse, ListToysResponse__Output as _toystore_v1_ListToysResponse__Output } from './toystore/v1/ListToysResponse.js';
import type { Order as _toystore_v1_Order, Order__Output as _toystore_v1_Order__Output } from './toystore/v1/Order.js';
import type { QueryRequest as _toystore_v1_QueryRequest, QueryRequest__Output as _toystore_v1_QueryRequest__Output } from './toystore/v1/QueryRequest.js';
import type { QueryResponse as _toystore_v1_QueryResponse, QueryResponse__Output as _toystore_v1_QueryResponse__Output } from './toystore/v1/QueryResponse.js';
import type { Toy as _toystore_v1_Toy, Toy__Output as _toystore_v1_Toy__Output } from './toystore/v1/Toy.js';
import type { ToyStoreClient as _toystore_v1_ToyStoreClient, ToyStoreDefinition as _toystore_v1_ToyStoreDefinition } from './toystore/v1/ToyStore.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  toystore: {
    v1: {
      BuyRequest: MessageTypeDefinition<_toystore_v1_BuyRequest, _toystore_v1_BuyRequest__Output>
      BuyResponse: MessageTypeDefinition<_toystore_v1_BuyResponse, _toystore_v1_BuyResponse__Output>
      BuyStatus: EnumTypeDefinition
      GetOrderRequest: MessageTypeDefinition<_toystore_v1_GetOrderRequest, _toystore_v1_GetOrderRequest__Output>
      GetOrderResponse: MessageTypeDefinition<_toystore_v1_GetOrderResponse, _toystore_v1_GetOrderResponse__Output>
      ListToysRequest: MessageTypeDefinition<_toystore_v1_ListToysRequest, _toystore_v1_ListToysRequest__Output>
      ListToysResponse: MessageTypeDefinition<_toystore_v1_ListToysResponse, _toystore_v1_ListToysResponse__Output>
      Order: MessageTypeDefinition<_toystore_v1_Order, _toystore_v1_Order__Output>
      OrderStatus: EnumTypeDefinition
      QueryRequest: MessageTypeDefinition<_toystore_v1_QueryRequest, _toystore_v1_QueryRequest__Output>
      QueryResponse: MessageTypeDefinition<_toystore_v1_QueryResponse, _toystore_v1_QueryResponse__Output>
      QueryStatus: EnumTypeDefinition
      Toy: MessageTypeDefinition<_toystore_v1_Toy, _toystore_v1_Toy__Output>
      /**
       * A store of stuffed-animal toys.
       */
      ToyStore: SubtypeConstructor<typeof grpc.Client, _toystore_v1_ToyStoreClient> & { service: _toystore_v1_ToyStoreDefinition }
    }
  }
}

