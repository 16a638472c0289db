import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { BuyRequest as _toystore_v1_BuyRequest, BuyRequest__Output as _toystore_v1_BuyRequest__Output } from './toystore/v1/BuyRequest.js';
import type { BuyResponse as _toystore_v1_BuyResponse, BuyResponse__Output as _toystore_v1_BuyResponse__Output } from './toystore/v1/BuyResponse.js';
import type { QueryRequest as _toystore_v1_QueryRequest, QueryRequest__Output as _toystore_v1_QueryRequest__Output } from './toystore/v1/QueryRequest.js';
import type { QueryResponse as _toystore_v1_QueryResponse, QueryResponse__Output as _toystore_v1_QueryResponse__Output } from './toystore/v1/QueryResponse.js';
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
      QueryRequest: MessageTypeDefinition<_toystore_v1_QueryRequest, _toystore_v1_QueryRequest__Output>
      QueryResponse: MessageTypeDefinition<_toystore_v1_QueryResponse, _toystore_v1_QueryResponse__Output>
      QueryStatus: EnumTypeDefinition
      /**
       * A store of stuffed-animal toys.
       */
      ToyStore: SubtypeConstructor<typeof grpc.Client, _toystore_v1_ToyStoreClient> & { service: _toystore_v1_ToyStoreDefinition }
    }
  }
}

