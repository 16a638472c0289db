import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { BuyResponse as _BuyResponse, BuyResponse__Output as _BuyResponse__Output } from './BuyResponse.js';
import type { Item as _Item, Item__Output as _Item__Output } from './Item.js';
import type { ItemName as _ItemName, ItemName__Output as _ItemName__Output } from './ItemName.js';
import type { ToyStoreClient as _ToyStoreClient, ToyStoreDefinition as _ToyStoreDefinition } from './ToyStore.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  BuyResponse: MessageTypeDefinition<_BuyResponse, _BuyResponse__Output>
  Item: MessageTypeDefinition<_Item, _Item__Output>
  ItemName: MessageTypeDefinition<_ItemName, _ItemName__Output>
  /**
   * The store, as the original design's clients call it.
   */
  ToyStore: SubtypeConstructor<typeof grpc.Client, _ToyStoreClient> & { service: _ToyStoreDefinition }
}

