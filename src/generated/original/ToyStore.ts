// Original file: proto/toystore_original.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { BuyResponse as _BuyResponse, BuyResponse__Output as _BuyResponse__Output } from './BuyResponse.js';
import type { Item as _Item, Item__Output as _Item__Output } from './Item.js';
import type { ItemName as _ItemName, ItemName__Output as _ItemName__Output } from './ItemName.js';

/**
 * The store, as the original design's clients call it.
 */
export interface ToyStoreClient extends grpc.Client {
  /**
   * Buys one unit of a toy.
   */
  Buy(argument: _ItemName, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_BuyResponse__Output>): grpc.ClientUnaryCall;
  Buy(argument: _ItemName, metadata: grpc.Metadata, callback: grpc.requestCallback<_BuyResponse__Output>): grpc.ClientUnaryCall;
  Buy(argument: _ItemName, options: grpc.CallOptions, callback: grpc.requestCallback<_BuyResponse__Output>): grpc.ClientUnaryCall;
  Buy(argument: _ItemName, callback: grpc.requestCallback<_BuyResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Buys one unit of a toy.
   */
  buy(argument: _ItemName, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_BuyResponse__Output>): grpc.ClientUnaryCall;
  buy(argument: _ItemName, metadata: grpc.Metadata, callback: grpc.requestCallback<_BuyResponse__Output>): grpc.ClientUnaryCall;
  buy(argument: _ItemName, options: grpc.CallOptions, callback: grpc.requestCallback<_BuyResponse__Output>): grpc.ClientUnaryCall;
  buy(argument: _ItemName, callback: grpc.requestCallback<_BuyResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Looks a toy up: its name, price and stock.
   */
  Query(argument: _ItemName, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_Item__Output>): grpc.ClientUnaryCall;
  Query(argument: _ItemName, metadata: grpc.Metadata, callback: grpc.requestCallback<_Item__Output>): grpc.ClientUnaryCall;
  Query(argument: _ItemName, options: grpc.CallOptions, callback: grpc.requestCallback<_Item__Output>): grpc.ClientUnaryCall;
  Query(argument: _ItemName, callback: grpc.requestCallback<_Item__Output>): grpc.ClientUnaryCall;
  /**
   * Looks a toy up: its name, price and stock.
   */
  query(argument: _ItemName, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_Item__Output>): grpc.ClientUnaryCall;
  query(argument: _ItemName, metadata: grpc.Metadata, callback: grpc.requestCallback<_Item__Output>): grpc.ClientUnaryCall;
  query(argument: _ItemName, options: grpc.CallOptions, callback: grpc.requestCallback<_Item__Output>): grpc.ClientUnaryCall;
  query(argument: _ItemName, callback: grpc.requestCallback<_Item__Output>): grpc.ClientUnaryCall;
  
}

/**
 * The store, as the original design's clients call it.
 */
export interface ToyStoreHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Buys one unit of a toy.
   */
  Buy: grpc.handleUnaryCall<_ItemName__Output, _BuyResponse>;
  
  /**
   * Looks a toy up: its name, price and stock.
   */
  Query: grpc.handleUnaryCall<_ItemName__Output, _Item>;
  
}

export interface ToyStoreDefinition extends grpc.ServiceDefinition {
  Buy: MethodDefinition<_ItemName, _BuyResponse, _ItemName__Output, _BuyResponse__Output>
  Query: MethodDefinition<_ItemName, _Item, _ItemName__Output, _Item__Output>
}
